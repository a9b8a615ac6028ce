import { OutboundRefused, postJson } from '../outbound-http.js';
import type { ChannelResult } from './types.js';

/** Posts a JSON body and turns the outcome into a log entry: 2xx is delivered, 4xx (but 408 / 429) is final. */
export async function postAndClassify(url: string, body: unknown, headers: Record<string, string>, allowPrivate: boolean): Promise<ChannelResult> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  try {
    const response = await postJson(url, text, headers, { allowPrivate });
    if (response.status >= 200 && response.status < 300) return { ok: true, responseCode: response.status, error: null, retryable: false };
    const final = response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429;
    return { ok: false, responseCode: response.status, error: `HTTP ${response.status}: ${response.body.slice(0, 300)}`, retryable: !final };
  } catch (error) {
    const refused = error instanceof OutboundRefused || (error as { code?: string }).code === 'EPRIVATE';
    return { ok: false, responseCode: null, error: (error as Error).message.slice(0, 500), retryable: !refused };
  }
}
