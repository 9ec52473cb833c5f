export { refreshCachedImages, refreshCachedImagesIfDue } from "./cached-images";
export { cachedImageKeys, hostHasImage, imageKey } from "./image-match";
export type { PullProgress } from "./pull-progress";
export { imagePullRequest, listImagePulls, requestImagePull, type ImagePullRequest, type ImagePullState } from "./request-image-pull";
export { carryOutImagePulls, imagePullLeaseMs } from "./carry-out-image-pulls";
