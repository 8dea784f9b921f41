// Vocabulary for realistic-looking fixtures. The brand is fictional; every domain is under .example.

export const BRAND = 'Northwind Outfitters';
export const SENDING_DOMAIN = 'northwind.example';
/** A second sending domain, with its own ESP suppression lists. */
export const SECOND_SENDING_DOMAIN = 'news.northwind.example';

export const FIRST_NAMES = [
  'Ava',
  'Ben',
  'Chloe',
  'Diego',
  'Elena',
  'Farah',
  'Gus',
  'Hana',
  'Ivan',
  'Jade',
  'Kofi',
  'Lena',
  'Mateo',
  'Nora',
  'Omar',
  'Priya',
  'Quinn',
  'Rosa',
  'Sven',
  'Tara',
] as const;

export const LAST_NAMES = [
  'Okafor',
  'Lindqvist',
  'Moreau',
  'Tanaka',
  'Schneider',
  'Alvarez',
  'Nakamura',
  'Kowalski',
  'Haddad',
  'Fitzgerald',
  'Osei',
  'Brennan',
] as const;

export const CAMPAIGN_THEMES = [
  'Welcome series',
  'Trial expiring reminder',
  'Abandoned cart',
  'Win-back: 60 days inactive',
  'Onboarding day 3 tips',
  'Subscription renewal reminder',
  'Post-purchase review request',
  'Weekly digest',
  'Feature announcement',
  'NPS survey',
  'Birthday discount',
  'Back in stock alert',
  'Loyalty tier upgrade',
  'Payment failed dunning',
] as const;

export const AUDIENCES = [
  'EU customers',
  'US customers',
  'VIP',
  'Free plan',
  'Pro plan',
  'Mobile users',
] as const;

export const SEGMENT_NAMES = [
  'Signed up (last 30 days)',
  'Active subscribers',
  'Churn risk',
  'VIP customers',
  'Opened email (last 90 days)',
  'Mobile app users',
  'Cart abandoners',
  'Newsletter subscribers',
  'Trial users',
  'Unsubscribed from marketing',
  'High lifetime value',
  'Dormant 60+ days',
] as const;

export const NEWSLETTER_TOPICS = [
  'Spring collection launch',
  'Summer sale: 30% off',
  'Product update',
  'Black Friday early access',
  'Holiday gift guide',
  'Year in review',
  'New store opening',
  'Community spotlight',
  'Sustainability report',
  'Price change notice',
  'Scheduled maintenance',
] as const;

export const TAGS = [
  'onboarding',
  'retention',
  'marketing',
  'transactional',
  'promo',
  'lifecycle',
  'product',
  'q3',
  'experiment',
] as const;

export const EVENT_NAMES = [
  'signed_up',
  'added_to_cart',
  'checkout_started',
  'order_completed',
  'trial_started',
  'plan_upgraded',
  'password_reset_requested',
  'app_installed',
] as const;

export const DATE_ATTRIBUTES = [
  'trial_ends_at',
  'subscription_renews_at',
  'birthday',
  'last_order_at',
] as const;

export const TIMEZONES = ['UTC', 'America/New_York', 'Europe/Berlin', 'Europe/London', 'Asia/Tokyo'] as const;

export const LANGUAGES = ['fr', 'de', 'es', 'pt-BR', 'ja'] as const;

export const LOREM = [
  'your',
  'order',
  'is',
  'on',
  'its',
  'way',
  'we',
  'saved',
  'the',
  'items',
  'in',
  'cart',
  'for',
  'you',
  'new',
  'arrivals',
  'this',
  'week',
  'thanks',
  'for',
  'being',
  'a',
  'member',
  'discover',
  'trail',
  'gear',
  'jackets',
  'free',
  'shipping',
  'today',
  'only',
  'tips',
  'to',
  'get',
  'started',
  'with',
  'account',
] as const;

export function emailAddress(first: string, last: string): string {
  return `${first}.${last}@${SENDING_DOMAIN}`.toLowerCase();
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function emailHtml(heading: string, paragraph: string): string {
  return (
    `<html><body><h1>${heading}</h1><p>Hi {{customer.first_name | default: "there"}},</p>` +
    `<p>${paragraph}</p><p><a href="https://${SENDING_DOMAIN}/account">Open your account</a></p>` +
    '<p><a href="{% unsubscribe_url %}">Unsubscribe</a></p></body></html>'
  );
}
