// The contract's JavaScript examples, verbatim but for the base URL and the
// token, run with node's fetch against a running service with the demo data.
// Usage: node tests/js/examples.mjs BASE_URL [ADMIN_TOKEN]
import assert from 'node:assert/strict';

const BASE = process.argv[2];
const YOUR_TOKEN = process.argv[3] || 'dev-admin-token';
if (!BASE) {
  console.error('usage: node tests/js/examples.mjs BASE_URL [ADMIN_TOKEN]');
  process.exit(2);
}

// Assign Lead Care Manager
const assignLCM = async (patientId, olcmUserId, ilcmUserId) => {
  const response = await fetch(BASE + '/v1/admin/clinic/ecm/lead_care_managers/assign', {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-User-Token': YOUR_TOKEN
    },
    body: JSON.stringify({
      patient_id: patientId,
      olcm_user_id: olcmUserId,
      ilcm_user_id: ilcmUserId
    })
  });
  return response.json();
};

// Get patient's LCM assignments
const getPatientLCMs = async (patientId) => {
  const response = await fetch(`${BASE}/v1/admin/clinic/ecm/patients/${patientId}/lead_care_managers`, {
    headers: {
      'X-User-Token': YOUR_TOKEN
    }
  });
  return response.json();
};

let passed = 0, failed = 0;
const check = async (name, fn) => {
  try { await fn(); passed++; console.log(`ok - ${name}`); }
  catch (e) { failed++; console.log(`not ok - ${name}: ${e.message}`); }
};

const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

await check('assignLCM(123, 101, 102)', async () => {
  const r = await assignLCM(123, 101, 102);
  assert.equal(r.message, 'Lead Care Manager assigned successfully');
  assert.deepEqual(Object.keys(r.case_load).sort(), ['created_at', 'id', 'ilcm_name', 'ilcm_user_id',
    'olcm_name', 'olcm_user_id', 'patient_id', 'patient_name', 'provider_id', 'provider_name', 'updated_at']);
  assert.equal(r.case_load.patient_id, 123);
  assert.equal(r.case_load.patient_name, 'John Doe');
  assert.equal(r.case_load.provider_id, 456);
  assert.equal(r.case_load.provider_name, 'Dr. Smith');
  assert.equal(r.case_load.olcm_user_id, 101);
  assert.equal(r.case_load.olcm_name, 'Jane Coordinator');
  assert.equal(r.case_load.ilcm_user_id, 102);
  assert.equal(r.case_load.ilcm_name, 'Bob Manager');
  assert.match(r.case_load.created_at, iso);
  assert.match(r.case_load.updated_at, iso);
});

await check('assignLCM(124, 101, undefined): ilcm left out', async () => {
  const r = await assignLCM(124, 101, undefined);
  assert.equal(r.case_load.olcm_user_id, 101);
  assert.equal(r.case_load.ilcm_user_id, null);
  assert.equal(r.case_load.ilcm_name, null);
});

await check('getPatientLCMs(123)', async () => {
  const r = await getPatientLCMs(123);
  assert.equal(r.patient_id, 123);
  assert.equal(r.patient_name, 'John Doe');
  assert.equal(r.case_load.provider_id, 456);
  assert.equal(r.case_load.provider_name, 'Dr. Smith');
  assert.deepEqual(Object.keys(r.case_load.olcm).sort(), ['assigned_at', 'email', 'name', 'user_id']);
  assert.equal(r.case_load.olcm.user_id, 101);
  assert.equal(r.case_load.olcm.name, 'Jane Coordinator');
  assert.equal(r.case_load.ilcm.user_id, 102);
  assert.match(r.case_load.ilcm.assigned_at, iso);
});

await check('getPatientLCMs(999): 404 envelope', async () => {
  assert.deepEqual(await getPatientLCMs(999), { errors: ['Patient not found'] });
});

await check('assignLCM(123): neither id, 422 envelope', async () => {
  assert.deepEqual(await assignLCM(123),
    { errors: ['At least one of olcm_user_id or ilcm_user_id must be provided'] });
});

console.log(`js: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
