// The campaign's survey as cards: a question each, with the answer's key,
// how it is answered, a choice's options and whether it must be answered.
// The server's errors show beside the input they name, by the questions' order.
import { describedBy, Field } from "../components/Field";
import { addQuestion, changeQuestion, KINDS, moveQuestion, removeQuestion, type QuestionDraft, type QuestionKind } from "./surveyModel";

interface Props {
  questions: QuestionDraft[];
  onChange: (questions: QuestionDraft[]) => void;
  errorOf: (field: string) => string | undefined;
}

export function SurveyEditor({ questions, onChange, errorOf }: Props) {
  const error = errorOf("settings.survey");
  return (
    <fieldset className="editor">
      <legend>Survey</legend>
      <p className="muted small">What the agent asks; the answers go with the call's result and onto the client's card.</p>
      {questions.map((q, i) => (
        <QuestionCard key={q.uid} question={q} index={i} questions={questions} onChange={onChange} errorOf={errorOf} />
      ))}
      {error && <p className="field-error" data-testid="field-error" data-field="settings.survey">{error}</p>}
      <button type="button" onClick={() => onChange(addQuestion(questions))}>Add question</button>
    </fieldset>
  );
}

function QuestionCard({ question: q, index, questions, onChange, errorOf }: Props & { question: QuestionDraft; index: number }) {
  const at = `settings.survey[${index}]`;
  const base = `campaign-question-${q.uid}`;
  const change = (c: Partial<Omit<QuestionDraft, "uid">>) => onChange(changeQuestion(questions, q.uid, c));
  const errors = { key: errorOf(`${at}.key`), text: errorOf(`${at}.text`), kind: errorOf(`${at}.kind`), options: errorOf(`${at}.options`) };
  return (
    <fieldset className="editor-card" aria-label={`Question ${index + 1}`}>
      <legend>Question {index + 1}</legend>
      <div className="editor-card-head">
        <Field id={`${base}-key`} label="Key" field={`${at}.key`} error={errors.key} hint="the answer's name: letters, digits, _ and -" className="step-id">
          <input id={`${base}-key`} value={q.key} onChange={(e) => change({ key: e.target.value })} {...describedBy(`${base}-key`, errors.key)} />
        </Field>
        <div className="row-actions">
          <button type="button" disabled={index === 0} onClick={() => onChange(moveQuestion(questions, q.uid, -1))}>Move up</button>
          <button type="button" disabled={index === questions.length - 1} onClick={() => onChange(moveQuestion(questions, q.uid, 1))}>Move down</button>
          <button type="button" className="danger" onClick={() => onChange(removeQuestion(questions, q.uid))}>Remove question</button>
        </div>
      </div>
      <Field id={`${base}-text`} label="Question" field={`${at}.text`} error={errors.text}>
        <input id={`${base}-text`} value={q.text} onChange={(e) => change({ text: e.target.value })} {...describedBy(`${base}-text`, errors.text)} />
      </Field>
      <div className="editor-row">
        <Field id={`${base}-kind`} label="Kind" field={`${at}.kind`} error={errors.kind}>
          <select id={`${base}-kind`} value={q.kind} onChange={(e) => change({ kind: e.target.value as QuestionKind })} {...describedBy(`${base}-kind`, errors.kind)}>
            {KINDS.map((k) => <option key={k.kind} value={k.kind}>{k.label}</option>)}
          </select>
        </Field>
        {q.kind === "choice" && (
          <Field id={`${base}-options`} label="Options" field={`${at}.options`} error={errors.options} hint="comma-separated" className="grow">
            <input id={`${base}-options`} value={q.options} onChange={(e) => change({ options: e.target.value })} {...describedBy(`${base}-options`, errors.options)} />
          </Field>
        )}
      </div>
      <div className="field checkbox-field">
        <label htmlFor={`${base}-required`}>
          <input id={`${base}-required`} type="checkbox" checked={q.required} onChange={(e) => change({ required: e.target.checked })} /> Required
        </label>
      </div>
    </fieldset>
  );
}
