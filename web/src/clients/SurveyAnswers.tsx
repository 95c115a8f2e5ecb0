// The client's answers to campaigns' surveys, as agents recorded them.
import { useEffect, useState } from "react";
import { api } from "../api/endpoints";
import type { Id, SurveyAnswer } from "../api/types";

export function SurveyAnswers({ clientId }: { clientId: Id }) {
  const [answers, setAnswers] = useState<SurveyAnswer[]>([]);
  useEffect(() => {
    api.surveyAnswers(clientId).then((list) => setAnswers(list.items), () => setAnswers([]));
  }, [clientId]);
  if (answers.length === 0) return null;
  return (
    <section className="card" aria-label="Survey answers" data-testid="survey-answers">
      <h2>Survey answers</h2>
      <table className="table">
        <tbody>
          {answers.map((a, i) => (
            <tr key={i}>
              <td>{a.campaign}</td>
              <td>{a.question}</td>
              <td>{a.answer}</td>
              <td>{new Date(a.answered_at).toLocaleString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
