// An ECM member's facts as the console says them: the queue's acuity and
// authorization cells, the patient page's list of facts. e is a patient's
// ecm_eligibility_information (null: no member). No DOM here.

/* The acuity cell: the level, "none" when the plan gave none. */
export function acuityText(e) {
  if (!e) return 'not a member';
  return e.acuity_level || 'none';
}

/* The authorization on the clinic's day (the API's authorization_status) with the date that matters. */
export function authorizationText(e) {
  if (!e) return 'not a member';
  const eff = e.ecm_benefit_auth_eff_date;
  const end = e.ecm_benefit_auth_end_date;
  switch (e.authorization_status) {
    case 'active': return end ? `active until ${end}` : 'active, no end date';
    case 'ended': return `ended ${end}`;
    case 'not_started': return `starts ${eff}${end ? `, until ${end}` : ''}`;
    case null: return 'no authorization dates';
    case undefined: return 'unknown';
    default: return String(e.authorization_status);
  }
}

/* The patient page's facts, [label, text] each, in the wider API's order; "none" where the file gave none. */
export function memberFacts(e) {
  const v = (x) => (x === null || x === undefined || x === '' ? 'none' : String(x));
  const words = (x) => (x ? String(x).replace(/_/g, ' ') : 'none');
  return [
    ['Member id', v(e.member_id)],
    ['CIN', v(e.cin)],
    ['Acuity', v(e.acuity_level)],
    ['Authorization', e.authorization_status === undefined ? 'unknown'
      : e.authorization_status ? words(e.authorization_status) : 'no authorization dates'],
    ['Effective date', v(e.ecm_benefit_auth_eff_date)],
    ['End date', v(e.ecm_benefit_auth_end_date)],
    ['Service authorization id', v(e.ecm_service_auth_id)],
    ['Record status', words(e.member_record_status)],
  ];
}
