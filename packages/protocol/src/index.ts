export * from './envelope.js';
export * from './tags.js';
export * from './fingerprint.js';
export * from './sensitive.js';
