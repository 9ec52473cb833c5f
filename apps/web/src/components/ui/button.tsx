import type { ButtonHTMLAttributes } from "react";
import { cn } from "~/lib/utils";

const base =
  "inline-flex h-9 items-center justify-center rounded-md px-4 text-sm font-medium transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-zinc-500 disabled:pointer-events-none disabled:opacity-50";

const variants = {
  primary: "bg-zinc-900 text-white hover:bg-zinc-700 dark:bg-zinc-100 dark:text-zinc-900 dark:hover:bg-zinc-300",
  secondary: "border border-zinc-300 bg-transparent hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800",
  ghost: "bg-transparent hover:bg-zinc-100 dark:hover:bg-zinc-800",
  destructive: "bg-red-600 text-white hover:bg-red-500",
} as const;

export type ButtonVariant = keyof typeof variants;

/** The classes of a button of this variant, plus the caller's (which win on a conflict). */
export function buttonVariants({ variant = "primary", className }: { variant?: ButtonVariant; className?: string | undefined } = {}): string {
  return cn(base, variants[variant], className);
}

export function Button({ variant, className, ...props }: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: ButtonVariant }) {
  return <button className={buttonVariants({ variant, className })} {...props} />;
}
