import { clsx, type ClassValue } from "clsx";
import { twMerge } from "tailwind-merge";

/** Joins class names; on a Tailwind conflict the later class wins (a caller's over a component's base). */
export function cn(...inputs: ClassValue[]): string {
  return twMerge(clsx(inputs));
}
