import { getConfig } from '../shared/config/config';

// Loaded with the function files (package.json `main`): validates the configuration when the app
// starts, so a missing or malformed setting stops the app with a message that names it.
getConfig();
