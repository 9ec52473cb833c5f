import { after } from "node:test";
import { conformanceSuite } from "../src/testing";
import { dockerTestImage, requireDocker } from "./support/engines";
import { removeImagesByPrefix } from "./support/images";

conformanceSuite({ name: "Docker (runc)", open: requireDocker, image: dockerTestImage, sandbox: "none", expectedOciRuntime: "runc", builds: true });
after(() => removeImagesByPrefix("bailey-conformance-build"));
