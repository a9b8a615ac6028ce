/**
 * How many tags one event (or one trace annotation) keeps. Every tag becomes index rows and count
 * rows, so without a cap 60 events of 10,000 tags each grew a database by 118 MB and made one
 * issue's tag list 113 MB. Sentry's SDKs send well under 100 (the built-ins plus a few set by the
 * application), so the first 100 valid tags as sent are kept; the built-in environment, release and
 * level tags come on top. What is dropped is recorded once on the event, not once per tag.
 */
export const MAX_TAGS_PER_EVENT = 100;
/** Invalid tags recorded one by one; past this, one more record gives the count of the rest. */
export const MAX_INVALID_TAG_NOTES = 10;

export function capTags(tags: Record<string, string>): { tags: Record<string, string>; dropped: number } {
  const keys = Object.keys(tags);
  if (keys.length <= MAX_TAGS_PER_EVENT) return { tags, dropped: 0 };
  const kept: Record<string, string> = {};
  for (const key of keys.slice(0, MAX_TAGS_PER_EVENT)) kept[key] = tags[key]!;
  return { tags: kept, dropped: keys.length - MAX_TAGS_PER_EVENT };
}
