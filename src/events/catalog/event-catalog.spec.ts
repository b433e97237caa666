import { catalogEventTypes, eventCategories, lookupEvent } from './event-catalog';

/** The product spec's 20 behavior types. */
const productSpecTypes = [
  'page_view',
  'time_on_page',
  'scroll_depth',
  'click_outbound',
  'form_start',
  'form_submit',
  'form_abandon',
  'filter_usage',
  'email_open',
  'email_click',
  'email_reply',
  'video_play',
  'download',
  'social_share',
  'search_query',
  'quote_request',
  'application_start',
  'application_complete',
  'phone_call',
  'text_interaction',
];
const transactionTypes = [
  'product_viewed',
  'added_to_cart',
  'removed_from_cart',
  'checkout_started',
  'order_completed',
];

const propertiesOf = (name: string) => {
  const schema = lookupEvent(name).properties;
  if (!schema) throw new Error(`${name} has no property schema`);
  return schema;
};

describe('catalogEventTypes', () => {
  it('holds the 20 product-spec types and the transactional ones', () => {
    expect(productSpecTypes).toHaveLength(20);
    expect(catalogEventTypes).toEqual(expect.arrayContaining([...productSpecTypes, ...transactionTypes]));
  });

  it('has no duplicates', () => {
    expect(new Set(catalogEventTypes).size).toBe(catalogEventTypes.length);
  });

  it.each(catalogEventTypes)('gives %s a spec category and a property schema', (eventType) => {
    const sut = lookupEvent(eventType);

    expect(eventCategories).toContain(sut.category);
    expect(sut.properties).toBeDefined();
  });

  it.each(transactionTypes)('files %s under transaction', (eventType) => {
    expect(lookupEvent(eventType).category).toBe('transaction');
  });
});

describe('lookupEvent', () => {
  describe('catalog events', () => {
    it.each([
      ['page_view', 'engagement'],
      ['form_start', 'intent'],
      ['form_submit', 'conversion'],
      ['email_reply', 'communication'],
      ['order_completed', 'transaction'],
    ])('returns %s with its category %s', (name, category) => {
      expect(lookupEvent(name)).toMatchObject({ eventType: name, category });
    });
  });

  describe('Segment e-commerce names', () => {
    it.each([
      ['Product Viewed', 'product_viewed'],
      ['Product Added', 'added_to_cart'],
      ['Product Removed', 'removed_from_cart'],
      ['Checkout Started', 'checkout_started'],
      ['Order Completed', 'order_completed'],
    ])('maps "%s" onto %s', (name, eventType) => {
      expect(lookupEvent(name)).toMatchObject({ eventType, category: 'transaction' });
    });

    it('matches the names exactly, as Segment writes them', () => {
      expect(lookupEvent('order completed')).toEqual({ eventType: 'order completed', category: 'custom' });
    });
  });

  describe('events outside the catalog', () => {
    it('are custom, keep their name and have no property schema', () => {
      expect(lookupEvent('Webinar Registered')).toEqual({ eventType: 'Webinar Registered', category: 'custom' });
    });

    it.each(['constructor', 'toString', 'hasOwnProperty', '__proto__'])(
      'treats %s as a custom event name, not a property of Object',
      (name) => {
        expect(lookupEvent(name)).toEqual({ eventType: name, category: 'custom' });
      },
    );
  });

  describe('property schemas', () => {
    it('check the properties they name', () => {
      const sut = propertiesOf('order_completed');

      expect(sut.safeParse({ orderId: 'o-1', revenue: 99.5, currency: 'EUR' }).success).toBe(true);
      expect(sut.safeParse({ orderId: 'o-1', revenue: -1 }).success).toBe(false);
      expect(sut.safeParse({ orderId: 'o-1', revenue: 1, currency: 'euro' }).success).toBe(false);
      expect(sut.safeParse({ revenue: 1 }).success).toBe(false);
    });

    it('let properties they do not name pass through', () => {
      const sut = propertiesOf('form_submit').safeParse({ formId: 'contact', plan: 'pro' });

      expect(sut).toMatchObject({ success: true, data: { formId: 'contact', plan: 'pro' } });
    });

    it('bound percentages to 0..100', () => {
      const sut = propertiesOf('scroll_depth');

      expect(sut.safeParse({ percent: 100 }).success).toBe(true);
      expect(sut.safeParse({ percent: 101 }).success).toBe(false);
    });

    it('check cart items one by one', () => {
      const sut = propertiesOf('checkout_started');

      expect(sut.safeParse({ products: [{ sku: 'a', quantity: 1 }] }).success).toBe(true);
      expect(sut.safeParse({ products: [{ sku: 'a', quantity: 0 }] }).success).toBe(false);
    });
  });
});
