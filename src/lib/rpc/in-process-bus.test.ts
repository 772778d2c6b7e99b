import { silentLogger } from '../log/logger.js'
import { describeBus } from './bus.conformance.js'
import { InProcessBus } from './in-process-bus.js'

describeBus('InProcessBus', () => Promise.resolve(new InProcessBus(silentLogger())))
