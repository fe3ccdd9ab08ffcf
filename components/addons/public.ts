// The package's entry `@platform/components/addons`: a layer's add-ons as data (what each is
// installed after, what it reads of the others) and their installation in an order that satisfies
// them. Loads @pulumi/pulumi and @pulumi/kubernetes.
export { installAddOns, usedAddOn } from "./compose";
export type { AddOn, AddOns, Installed } from "./compose";
