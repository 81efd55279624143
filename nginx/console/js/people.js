// The people who can be Lead Care Managers, read page by page from the list
// endpoint: the patient view's pickers and a transfer's takers need them
// all. One person is one request of its own (GET .../lead_care_managers/{id}).
import { api, query } from './api.js';

const PER_PAGE = 100;
const MAX_PAGES = 50; // 5,000 people: more than a clinic has

/*
 * Every eligible user (or, with inactive true, every deactivated user who
 * still holds patients), by name. Throws the API's error.
 */
export async function allPeople({ inactive = false } = {}) {
  const out = [];
  for (let page = 1; page <= MAX_PAGES; page += 1) {
    const { data } = await api('GET', '/lead_care_managers' + query({
      page, per_page: PER_PAGE, inactive_with_patients: inactive ? 'true' : undefined,
    }));
    out.push(...data.lead_care_managers);
    if (page >= data.pagination.total_pages) break;
  }
  return out;
}

/* "Jane Coordinator (101)" */
export function personLabel(p) {
  return `${p.name} (${p.id})`;
}
