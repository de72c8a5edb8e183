// The js backend evaluates ALU instructions with the shared definitions in core/scalar.ts.
export { ALU_JS, erf, roundEven } from "../../core/scalar.js";
