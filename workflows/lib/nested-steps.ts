import type { JourneyStep } from '../contracts/journey-definition';

/** The step lists inside a step, each with its key in the definition (`then`, `variants.b`, …). */
export function nestedSteps(step: JourneyStep): Array<[path: PropertyKey[], steps: JourneyStep[]]> {
  switch (step.type) {
    case 'wait_for':
      return [
        [['onEvent'], step.onEvent],
        [['onTimeout'], step.onTimeout],
      ];
    case 'branch':
      return [
        [['then'], step.then],
        [['else'], step.else],
      ];
    case 'experiment':
      return [
        ...Object.entries(step.variants).map(([variantId, steps]): [PropertyKey[], JourneyStep[]] => [
          ['variants', variantId],
          steps,
        ]),
        [['otherwise'], step.otherwise],
      ];
    default:
      return [];
  }
}
