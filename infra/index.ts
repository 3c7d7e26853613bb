// Pulumi stack entry. The infrastructure components arrive with the infrastructure work; until then the
// program declares nothing, so `pulumi preview` on it is empty by design.
export {};
