// Types of require-node.mjs, which stays plain JavaScript so that any Node can run it.
export declare const projectNodeMajor: number;
/** The message for npm scripts started on another major than the runtime's, or undefined. */
export declare function npmScriptNodeProblem(version: string): string | undefined;
/** The message for the Pulumi program started on a Node older than the runtime's, or undefined. */
export declare function pulumiProgramNodeProblem(version: string): string | undefined;
