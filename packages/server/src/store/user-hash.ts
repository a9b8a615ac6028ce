import { createHash } from 'node:crypto';

/**
 * The 48-bit hash of an event's user key stored with the event (events.user_hash) and per tag value
 * (tag_value_users), so analytics count distinct users without the keys. 48 bits: collisions stay
 * negligible far beyond a billion distinct users, and the number is exact in a JS double.
 */
export const userHash = (key: string): number => createHash('sha1').update(key).digest().readUIntBE(0, 6);
