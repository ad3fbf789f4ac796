/**
 * Name lengths every Kubernetes target shares, checked where the names are written (the
 * pipeline, its tasks, its components) so that `check` reports them at the source. Sizes
 * that need the written workflow are the backend's (src/lower/limits.ts).
 * Sources: ../shared/reference/target-constraints.md §5.
 */

/** A generateName base is truncated to 58 characters (apiserver names.MaxGeneratedNameLength). */
export const GENERATE_NAME_MAX = 58;
/** Argo template and task names (workflowFieldMaxLength). */
export const ARGO_NAME_MAX = 128;
