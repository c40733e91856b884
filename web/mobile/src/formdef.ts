// A form definition as the server loads it (docs/forms-format.md, format 1). The app renders and validates from the
// same JSON, which the pull brings as `form_definition` records.

export interface Option {
  value: string;
  label: string;
  hint?: string;
}

export interface Question {
  id: string;
  type: string;
  label: string;
  hint?: string;
  guidance?: string;
  required?: boolean;
  show_if?: unknown;
  constraints?: Record<string, unknown>;
  not_in_future?: boolean;
  on_or_after?: string;
  options?: Option[];
  code_list?: string;
  multiple?: boolean;
  bind?: string;
  messages?: Record<string, string>;
  repeats?: boolean;
  min?: number;
  max?: number;
  item_label?: string;
  questions?: Question[];
}

export interface Page {
  id: string;
  title: string;
  guidance?: string;
  show_if?: unknown;
  questions: Question[];
}

export interface FormDefinition {
  format: number;
  name: string;
  version: number;
  title: string;
  description?: string;
  subject: string;
  record?: string;
  authorisation?: boolean;
  pages: Page[];
  /** The code lists the form's code_list questions use, when the server sends them ({list: [{value, label}]}). */
  code_lists?: Record<string, Option[]>;
}

export type Answers = Record<string, unknown>;
