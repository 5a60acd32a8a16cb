// class-transformer ships the typings of its metadata storage apart from the CommonJS file that holds it.
// The OpenAPI generator reads `@Type(() => Nested)` declarations from it to find nested request DTOs.
declare module 'class-transformer/cjs/storage' {
  export { defaultMetadataStorage } from 'class-transformer/types/storage';
}
