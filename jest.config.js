/** Unit tests live beside the code; e2e tests under test/ drive the app over HTTP against PostgreSQL. */
const transform = {
  '^.+\\.(ts|js|mjs)$': [
    '@swc/jest',
    {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
        keepClassNames: true,
      },
      module: { type: 'commonjs' },
    },
  ],
};

// NestJS 12 and a few of its dependencies ship only ES modules. Node 20.19+ loads them from our
// CommonJS build natively (require(esm)), but Jest's module runtime on Node 20 cannot, so Jest
// compiles these packages to CommonJS with the same SWC transform.
const ESM_PACKAGES = [
  '@nestjs',
  '@borewit',
  '@tokenizer',
  '@hapi',
  '@standard-schema',
  'file-type',
  'strtok3',
  'token-types',
  'uint8array-extras',
  'load-esm',
  'cookie',
  'set-cookie-parser',
  'content-disposition',
  'toad-cache',
  'nodemailer',
  'libphonenumber-js',
  'safe-stable-stringify',
];
const transformIgnorePatterns = [`/node_modules/(?!(${ESM_PACKAGES.join('|')})/)`];

module.exports = {
  // A global option: Jest ignores testTimeout inside a project, which left e2e tests at 5 s under load.
  testTimeout: 30000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/scripts/**/*.spec.ts'],
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      setupFiles: ['<rootDir>/test/support/env.ts'],
    },
  ],
  // For tests and hooks (an e2e file boots the app in beforeAll). Jest reads it from the global
  // config only: inside a project entry it was ignored, and hooks timed out after 5 s on a busy machine.
  testTimeout: 30000,
};
