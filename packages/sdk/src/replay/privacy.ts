/**
 * Privacy by default: every text and input value is masked and media blocked in the browser,
 * before an event leaves rrweb, unless the application opts an element in. The server never sees
 * the unmasked text.
 *
 * Opt-in per element (and its descendants) with a class or a data attribute:
 * - `pl-unmask` / `data-pl-unmask`: show the text and input values inside;
 * - `pl-unblock` / `data-pl-unblock`: record this image, video, canvas or iframe.
 * Text-bearing attributes (placeholder, title, alt, aria-label) are masked everywhere.
 */
import type { recordOptions } from 'rrweb';

export interface PrivacyOptions {
  /** Default true. Set false to record all text as it is (then mask with `pl-mask`). */
  maskAllText?: boolean;
  /** Default true. */
  maskAllInputs?: boolean;
  /** Default true: img, video, audio, canvas, svg images, iframes, objects become placeholders. */
  blockAllMedia?: boolean;
  /** CSS selector of more elements to unmask (added to `.pl-unmask, [data-pl-unmask]`). */
  unmask?: string;
  /** CSS selector of more elements to block. */
  block?: string;
}

const UNMASK = '.pl-unmask, [data-pl-unmask]';
const UNBLOCK = '.pl-unblock, [data-pl-unblock]';
const MEDIA = ['img', 'video', 'audio', 'picture', 'canvas', 'iframe', 'object', 'embed', 'image'];
const TEXT_ATTRIBUTES = new Set(['placeholder', 'title', 'alt', 'aria-label', 'aria-description', 'label']);

export const mask = (text: string) => text.replace(/\S/g, '*');

function unmasked(element: HTMLElement | null, selector: string): boolean {
  try {
    return Boolean(element?.closest(selector));
  } catch {
    return false;
  }
}

export function privacyRecordOptions(options: PrivacyOptions): Partial<recordOptions<unknown>> {
  const unmaskSelector = options.unmask ? `${UNMASK}, ${options.unmask}` : UNMASK;
  const blocked: string[] = [];
  if (options.blockAllMedia !== false) blocked.push(...MEDIA.map((tag) => `${tag}:not(${UNBLOCK})`));
  if (options.block) blocked.push(options.block);
  return {
    maskTextSelector: options.maskAllText === false ? '.pl-mask, [data-pl-mask]' : '*',
    maskTextFn: (text, element) => (options.maskAllText !== false && unmasked(element, unmaskSelector) ? text : mask(text)),
    maskAllInputs: options.maskAllInputs !== false,
    // Passwords stay masked even inside an unmasked element.
    maskInputFn: (text, element) =>
      (element as HTMLInputElement | null)?.type !== 'password' && unmasked(element, unmaskSelector) ? text : mask(text),
    blockSelector: blocked.length ? blocked.join(', ') : undefined,
    blockClass: 'pl-block',
    // Images as data: URLs would copy their pixels into the recording.
    inlineImages: false,
    collectFonts: false,
    recordCanvas: false,
  };
}

interface SerializedNode {
  attributes?: Record<string, unknown>;
  childNodes?: SerializedNode[];
}

function maskAttributes(attributes: Record<string, unknown> | undefined): void {
  if (!attributes) return;
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value === 'string' && TEXT_ATTRIBUTES.has(name.toLowerCase())) attributes[name] = mask(value);
  }
}

function maskTree(node: SerializedNode | undefined): void {
  if (!node) return;
  maskAttributes(node.attributes);
  for (const child of node.childNodes ?? []) maskTree(child);
}

/**
 * rrweb masks text and input values but records attributes as they are; placeholders and titles
 * often carry text, so they are masked here, in full snapshots and in DOM mutations.
 */
export function maskEventAttributes(event: { type: number; data?: any }): void {
  if (event.type === 2) maskTree(event.data?.node);
  else if (event.type === 3 && event.data?.source === 0) {
    for (const add of event.data.adds ?? []) maskTree(add.node);
    for (const change of event.data.attributes ?? []) maskAttributes(change.attributes);
  }
}
