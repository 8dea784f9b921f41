import { BRAND, capitalize, emailHtml, LANGUAGES, LOREM, SENDING_DOMAIN } from './content.js';
import { IdSequence, type SeededRandom } from './random.js';
import type { SenderIdentity } from './records.js';
import type { TransactionalContent, TransactionalMessage } from './records-audience.js';
import { createdAndUpdated, timestampBetween, WORKSPACE_NOW } from './time.js';

const TEMPLATES = [
  ['Password reset', 'Sends a link to reset a forgotten password.'],
  ['Order confirmation', 'Confirms an order with its items and total.'],
  ['Shipping update', 'Tells the customer their parcel is on its way.'],
  ['Magic link login', 'A one-time sign-in link.'],
  ['Receipt', 'The receipt of a completed payment.'],
  ['Two-factor code', 'A six-digit verification code, by push.'],
] as const;

export interface GeneratedTransactional {
  messages: TransactionalMessage[];
  contents: Map<number, TransactionalContent[]>;
}

export function generateTransactional(
  random: SeededRandom,
  count: number,
  senders: readonly SenderIdentity[],
): GeneratedTransactional {
  const ids = new IdSequence(1);
  const contentIds = new IdSequence(900);
  const messages: TransactionalMessage[] = [];
  const contents = new Map<number, TransactionalContent[]>();
  for (let index = 0; index < count; index++) {
    const [name, description] = TEMPLATES[index % TEMPLATES.length] ?? ['Transactional', ''];
    const [created_at, updated_at] = createdAndUpdated(random);
    const fullName = index < TEMPLATES.length ? name : `${name} ${Math.floor(index / TEMPLATES.length) + 1}`;
    const message: TransactionalMessage = {
      id: ids.next(random, 2),
      name: fullName,
      description: random.chance(0.8) ? description : '',
      trigger_name: fullName.toLowerCase().replace(/[^a-z0-9]+/g, '_'),
      send_to_unsubscribed: true,
      link_tracking: random.chance(0.7),
      open_tracking: random.chance(0.7),
      hide_message_body: random.chance(0.3),
      queue_drafts: random.chance(0.2),
      created_at,
      updated_at,
    };
    messages.push(message);
    const type = name === 'Two-factor code' ? 'push' : 'email';
    const languages = ['', ...random.sample(LANGUAGES, 0, 2)];
    contents.set(
      message.id,
      languages.map((language) => variant(random, contentIds.next(random), message, type, language, senders)),
    );
  }
  return { messages, contents };
}

function variant(
  random: SeededRandom,
  id: number,
  message: TransactionalMessage,
  type: TransactionalContent['type'],
  language: string,
  senders: readonly SenderIdentity[],
): TransactionalContent {
  const created = timestampBetween(random, message.created_at, message.updated_at);
  const updated = timestampBetween(random, created, WORKSPACE_NOW);
  const base = {
    id,
    name: language === '' ? message.name : `${message.name} (${language})`,
    type,
    language,
    created,
    updated,
    body_amp: '',
    bcc: '',
    cc: '',
    fake_bcc: false,
    preprocessor: 'premailer',
  };
  if (type === 'push') {
    return {
      ...base,
      subject: '',
      body: JSON.stringify({ title: message.name, message: 'Your code is {{trigger.code}}' }),
      preheader_text: '',
      from: '',
      from_id: 0,
      reply_to: '',
      reply_to_id: null,
      recipient: '{{customer.id}}',
      headers: '[]',
    };
  }
  const sender = senders.find((candidate) => candidate.template_type === 'email' && !candidate.hidden);
  const subject = `${message.name}: ${random.words(LOREM, random.int(2, 4))}`;
  return {
    ...base,
    subject,
    body: emailHtml(subject, `${capitalize(random.words(LOREM, random.int(10, 20)))}.`),
    preheader_text: random.chance(0.5) ? capitalize(random.words(LOREM, 5)) : '',
    from: sender?.address ?? `${BRAND} <hello@${SENDING_DOMAIN}>`,
    from_id: sender?.id ?? 1,
    reply_to: '',
    reply_to_id: null,
    recipient: '{{customer.email}}',
    headers: JSON.stringify([{ name: 'X-Transactional', value: message.trigger_name }]),
  };
}
