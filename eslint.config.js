import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// Imports point one way: apps -> kit (cli-kit) -> pipeline (trainer, sampler, metrics) -> core
// (model, vae, data) -> base (schedule, backend). schedule imports nothing of ours.
export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/out/**', '**/*.d.ts'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // Build and test configs share tools/config across projects; the boundary rule is for code.
  {
    files: ['**/src/**/*.ts', '**/test/**/*.ts', '**/bench/**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'scope:schedule', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'layer:base', onlyDependOnLibsWithTags: ['layer:base'] },
            { sourceTag: 'layer:core', onlyDependOnLibsWithTags: ['layer:base', 'layer:core'] },
            { sourceTag: 'layer:pipeline', onlyDependOnLibsWithTags: ['layer:base', 'layer:core'] },
            { sourceTag: 'layer:kit', onlyDependOnLibsWithTags: ['layer:base', 'layer:core', 'layer:pipeline'] },
            { sourceTag: 'layer:app', onlyDependOnLibsWithTags: ['layer:base', 'layer:core', 'layer:pipeline', 'layer:kit'] },
          ],
        },
      ],
    },
  },
);
