export { answerResponse, createRestAnswerer, createRestHandler, isProcedureOperation, jsonResponse, jsonText, type RestAnswer, type RestHandlerOptions } from "./handler";
export { openApiDocument } from "./document";
export { restOperations, type RestOperation } from "./operations";
export { streamOperations } from "./streams";
export { assertDeclaredSizeAllowed, maxBodyBytes, readBodyBytes } from "./body";
export { uploadOperations } from "./uploads";
