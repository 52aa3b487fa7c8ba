import { stateIdFor } from './state-codes';

describe('stateIdFor', () => {
  it('turns US and Canadian names into the IDs F&O stores, in any case and spacing', () => {
    expect(stateIdFor('US', 'Texas')).toBe('TX');
    expect(stateIdFor('us', '  new   york ')).toBe('NY');
    expect(stateIdFor('US', 'District of Columbia')).toBe('DC');
    expect(stateIdFor('CA', 'Québec')).toBe('QC');
    expect(stateIdFor('CA', 'British Columbia')).toBe('BC');
  });

  it('keeps an ID that is already one, and leaves out a name it does not know', () => {
    expect(stateIdFor('US', 'tx')).toBe('TX');
    expect(stateIdFor('US', 'Texass')).toBeUndefined();
    expect(stateIdFor('CA', 'TX')).toBeUndefined();
  });

  it('elsewhere keeps the text when it fits the 10-character field', () => {
    expect(stateIdFor('DE', 'BY')).toBe('BY');
    expect(stateIdFor('GB', 'Greater London')).toBeUndefined();
    expect(stateIdFor('FR', '')).toBeUndefined();
  });
});
