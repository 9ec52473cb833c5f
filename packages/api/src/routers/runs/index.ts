import { router } from "../../trpc";
import { list } from "./list";

export const runsRouter = router({ list });
