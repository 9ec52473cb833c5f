export { addHost, connectHost, type AddHostInput } from "./add-host";
export { recordHostKeyMismatch } from "./host-key-mismatch";
