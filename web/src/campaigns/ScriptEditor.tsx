// The campaign's script as cards: a step each, what the agent says and the
// client's choices, each leading to another step or ending the script. The
// server's errors show beside the input they name, by the steps' order.
import { describedBy, Field } from "../components/Field";
import {
  addChoice,
  addStep,
  changeChoice,
  changeStep,
  moveStep,
  removeChoice,
  removeStep,
  renameStep,
  stepTitle,
  type StepDraft,
} from "./scriptModel";

interface Props {
  steps: StepDraft[];
  onChange: (steps: StepDraft[]) => void;
  errorOf: (field: string) => string | undefined;
}

export function ScriptEditor({ steps, onChange, errorOf }: Props) {
  const error = errorOf("settings.script");
  return (
    <fieldset className="editor">
      <legend>Script</legend>
      <p className="muted small">
        What the agent says, step by step. The first step starts; each choice leads to another step or ends the script.
      </p>
      {steps.map((step, i) => (
        <StepCard key={step.uid} step={step} index={i} steps={steps} onChange={onChange} errorOf={errorOf} />
      ))}
      {error && <p className="field-error" data-testid="field-error" data-field="settings.script">{error}</p>}
      <button type="button" onClick={() => onChange(addStep(steps))}>Add step</button>
    </fieldset>
  );
}

function StepCard({ step, index, steps, onChange, errorOf }: Props & { step: StepDraft; index: number }) {
  const at = `settings.script[${index}]`;
  const base = `campaign-step-${step.uid}`;
  const idError = errorOf(`${at}.id`);
  const textError = errorOf(`${at}.text`);
  return (
    <fieldset className="editor-card" aria-label={`Step ${index + 1}`}>
      <legend>
        Step {index + 1}
        {index === 0 && <span className="tag" data-testid="script-start">starts the script</span>}
      </legend>
      <div className="editor-card-head">
        <Field id={`${base}-id`} label="Step id" field={`${at}.id`} error={idError} className="step-id">
          <input id={`${base}-id`} value={step.id} onChange={(e) => onChange(renameStep(steps, step.uid, e.target.value))} {...describedBy(`${base}-id`, idError)} />
        </Field>
        <div className="row-actions">
          <button type="button" disabled={index === 0} onClick={() => onChange(moveStep(steps, step.uid, -1))}>Move up</button>
          <button type="button" disabled={index === steps.length - 1} onClick={() => onChange(moveStep(steps, step.uid, 1))}>Move down</button>
          <button type="button" className="danger" onClick={() => onChange(removeStep(steps, step.uid))}>Remove step</button>
        </div>
      </div>
      <Field id={`${base}-text`} label="What the agent says" field={`${at}.text`} error={textError}>
        <textarea id={`${base}-text`} rows={2} value={step.text} onChange={(e) => onChange(changeStep(steps, step.uid, { text: e.target.value }))} {...describedBy(`${base}-text`, textError)} />
      </Field>
      {step.choices.map((choice, j) => {
        const id = `${base}-choice-${j}`;
        const labelError = errorOf(`${at}.choices[${j}].label`);
        const nextError = errorOf(`${at}.choices[${j}].next`);
        return (
          <div key={j} className="editor-row" role="group" aria-label={`Choice ${j + 1}`}>
            <Field id={`${id}-label`} label={`Choice ${j + 1}`} field={`${at}.choices[${j}].label`} error={labelError} className="grow">
              <input id={`${id}-label`} value={choice.label} placeholder="what the client says"
                onChange={(e) => onChange(changeChoice(steps, step.uid, j, { label: e.target.value }))} {...describedBy(`${id}-label`, labelError)} />
            </Field>
            <Field id={`${id}-next`} label="Leads to" field={`${at}.choices[${j}].next`} error={nextError} className="grow">
              <select id={`${id}-next`} value={choice.next ?? ""}
                onChange={(e) => onChange(changeChoice(steps, step.uid, j, { next: e.target.value || null }))} {...describedBy(`${id}-next`, nextError)}>
                <option value="">End</option>
                {steps.map((s) => <option key={s.uid} value={s.uid}>{stepTitle(s)}</option>)}
              </select>
            </Field>
            <button type="button" className="icon-button" aria-label={`Remove choice ${j + 1}`} title="Remove choice"
              onClick={() => onChange(removeChoice(steps, step.uid, j))}>×</button>
          </div>
        );
      })}
      <button type="button" onClick={() => onChange(addChoice(steps, step.uid))}>Add choice</button>
    </fieldset>
  );
}
