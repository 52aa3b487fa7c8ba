import { customerFieldErrors } from '../../packages/client/src/validate';
import { sampleCustomer } from '../fixtures/sample-customers';

describe('the TS client’s check before sending (issue 32)', () => {
  it('takes a customer with a phone and no e-mail, and points at EmailAddress when it has neither', () => {
    const { Customer } = sampleCustomer('minimal');
    delete Customer.EmailAddress;
    Customer.ContactNumber = '(425) 555-0100';
    expect(customerFieldErrors(Customer)).toEqual([]);
    delete Customer.ContactNumber;
    expect(customerFieldErrors(Customer).map((e) => e.pointer)).toEqual(['/Customer/EmailAddress']);
    // A patch need not name either.
    expect(customerFieldErrors({ FirstName: 'Alex' }, { patch: true })).toEqual([]);
  });
});
