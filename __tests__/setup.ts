import { Testing } from 'cdktf';
// Brings the matchers' type declarations into the compilation.
import 'cdktf/lib/testing/adapters/jest';

// Registers cdktf's matchers (toHaveResourceWithProperties, ...); importing the adapter alone does not.
Testing.setupJest();
