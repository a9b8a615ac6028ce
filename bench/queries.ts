import { table, type Row } from './report.js';
export async function runQueries(): Promise<Row[]> { return []; }
export function queriesTable(rows: Row[]): string { return table('queries', rows); }
