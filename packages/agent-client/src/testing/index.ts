export * from "./sshd";
