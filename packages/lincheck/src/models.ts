import { InvalidArgumentError } from "@pods/core-interfaces";
import { kvModel } from "./kv-model.ts";
import type { AnyModel } from "./model.ts";
import { registerModel } from "./register-model.ts";

/** The models this package ships: {@link registerModel} and {@link kvModel}. */
export const builtInModels: readonly AnyModel[] = [registerModel, kvModel];

/**
 * Finds the model a history file names in its `model` field.
 *
 * @param name - the model's name, e.g. `"register"`.
 * @param models - where to look; pass `[...builtInModels, yourModel]` to add your own.
 * @throws InvalidArgumentError when no model has that name.
 */
export function modelFor(name: string, models: readonly AnyModel[] = builtInModels): AnyModel {
  const model = models.find((candidate) => candidate.name === name);
  if (model === undefined) {
    throw new InvalidArgumentError(
      `No model is named ${JSON.stringify(name)}; the known models are ` +
        `${models.map((known) => JSON.stringify(known.name)).join(", ")}. Fix the history's ` +
        "model field, or pass your own model in the models option.",
    );
  }
  return model;
}
