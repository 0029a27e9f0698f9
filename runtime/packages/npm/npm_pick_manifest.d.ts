// Types for npm-pick-manifest (it ships none): only what runtime/packages/npm/pick.ts uses.

declare module "npm-pick-manifest" {
  interface PickOptions {
    defaultTag?: string;
    before?: string | Date;
  }
  function pickManifest(packument: { versions: Record<string, unknown> }, wanted: string, options?: PickOptions): Record<string, unknown>;
  export default pickManifest;
}
