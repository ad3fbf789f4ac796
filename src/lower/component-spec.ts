/** The component.yaml model now lives in src/kfp/ (the checker reads it for imports too); kept here for existing imports. */
export type * from '../kfp/component-spec.js';
