/** Paths of the inventory fixtures. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder of inventory fixtures. */
export const FIXTURES = fileURLToPath(new URL('../../fixtures/inventory/', import.meta.url));

/** A fixture's path. */
export function fixture(...parts: string[]): string {
  return path.join(FIXTURES, ...parts);
}
