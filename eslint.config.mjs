// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.data/**', '**/*.mjs', '**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/ban-ts-comment': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-extraneous-class': 'off',
      // null is a value only where the spec says nullable: use Optional()/Nullable() from common/validation.
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'class-validator',
              importNames: ['IsOptional'],
              message:
                'IsOptional lets null through: use Optional() or Nullable() from src/common/validation',
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          // PartialType without options marks every field IsOptional, which lets null through.
          selector: "CallExpression[callee.name='PartialType'][arguments.length<2]",
          message: 'Call PartialType(X, { skipNullProperties: false }) so null is not accepted as "absent"',
        },
      ],
    },
  },
);
