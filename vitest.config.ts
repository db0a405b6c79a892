import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Tests never depend on machine speed; generous limits only guard against hangs.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
