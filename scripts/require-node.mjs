// Plain JavaScript on purpose: this guard must run (and explain itself) on whatever Node the shell has.
const wanted = 24;
const major = Number(process.versions.node.split(".")[0]);
if (major !== wanted) {
  console.error(
    `This project runs on Node ${wanted} (the Lambda runtime), but npm started Node ${process.versions.node}.\n` +
      "The pinned Node comes from the `node` devDependency: run `npm ci` (without --ignore-scripts) and use `npm run ...`.",
  );
  process.exit(1);
}
