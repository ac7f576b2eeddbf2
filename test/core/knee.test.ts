import { describe, expect, it } from 'vitest';
import { detectShape, kneedle } from '../../src/core/knee.js';

const x10 = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
// The four shapes of the kneed package's DataGenerator and their published knees.
const convexDecreasing = [100, 40, 20, 15, 10, 5, 4, 3, 2, 1]; // knee 2 (DESIGN.md §2)
const concaveIncreasing = [0, 60, 80, 85, 90, 95, 96, 97, 98, 99]; // knee 2
const convexIncreasing = [1, 2, 3, 4, 5, 10, 15, 20, 40, 100]; // knee 7
const concaveDecreasing = [99, 98, 97, 96, 95, 90, 85, 80, 60, 0]; // knee 7

describe('kneedle', () => {
  it('finds the published knee of a convex decreasing curve (an elbow of inertia)', () => {
    expect(kneedle(x10, convexDecreasing, { curve: 'convex', direction: 'decreasing' })).toBe(2);
  });

  it('finds the published knee of a concave increasing curve', () => {
    expect(kneedle(x10, concaveIncreasing, { curve: 'concave', direction: 'increasing' })).toBe(2);
  });

  it('maps reversed shapes back to the right x', () => {
    expect(kneedle(x10, convexIncreasing, { curve: 'convex', direction: 'increasing' })).toBe(7);
    expect(kneedle(x10, concaveDecreasing, { curve: 'concave', direction: 'decreasing' })).toBe(7);
  });

  it('detects the shape when it is not given', () => {
    expect(kneedle(x10, convexDecreasing)).toBe(2);
    expect(kneedle(x10, concaveIncreasing)).toBe(2);
    expect(kneedle(x10, convexIncreasing)).toBe(7);
    expect(kneedle(x10, concaveDecreasing)).toBe(7);
  });

  it("reproduces the paper's figure 2 (y = -1/(x + 0.1) + 5 on 10 points of [0, 1])", () => {
    const x = Array.from({ length: 10 }, (_, i) => i / 9);
    const y = x.map((v) => -1 / (v + 0.1) + 5);
    expect(kneedle(x, y, { curve: 'concave', direction: 'increasing' })).toBeCloseTo(0.2222222222, 9);
  });

  it('works on k = 1..10 as the elbow uses it', () => {
    const k = x10.map((v) => v + 1);
    expect(kneedle(k, convexDecreasing, { curve: 'convex', direction: 'decreasing' })).toBe(3);
  });

  it('returns null when there is no knee', () => {
    expect(kneedle(x10, x10)).toBeNull(); // a straight line
    expect(kneedle(x10, x10.map(() => 5))).toBeNull(); // flat
    expect(kneedle([1, 2], [10, 1])).toBeNull(); // too short
    expect(kneedle(x10, [100, 40, NaN, 15, 10, 5, 4, 3, 2, 1])).toBeNull();
    // A very insensitive detector never sees the curve fall far enough below a maximum.
    expect(kneedle(x10, convexDecreasing, { curve: 'convex', direction: 'decreasing', S: 10 })).toBeNull();
  });

  it('refuses x and y of different lengths', () => {
    expect(() => kneedle([1, 2, 3], [1, 2])).toThrow(RangeError);
  });
});

describe('detectShape', () => {
  it("classifies kneed's four example curves", () => {
    expect(detectShape(x10, convexDecreasing)).toEqual({ curve: 'convex', direction: 'decreasing' });
    expect(detectShape(x10, concaveIncreasing)).toEqual({ curve: 'concave', direction: 'increasing' });
    expect(detectShape(x10, convexIncreasing)).toEqual({ curve: 'convex', direction: 'increasing' });
    expect(detectShape(x10, concaveDecreasing)).toEqual({ curve: 'concave', direction: 'decreasing' });
  });
});
