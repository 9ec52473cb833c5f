import type { Page } from "@playwright/test";

export class RunsPage {
  constructor(private readonly page: Page) {}

  heading() {
    return this.page.getByRole("heading", { name: "Runs", exact: true });
  }

  emptyState() {
    return this.page.getByText("No runs yet");
  }

  async signOut(): Promise<void> {
    await this.page.getByRole("button", { name: "Sign out" }).click();
  }
}
