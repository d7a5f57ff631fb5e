/**
 * The residents' vocabulary of each department (seed/2018/vocabulary.json, reviewable data) and
 * the segmenter set up with the city's words. Departments are matched by name, so a campaign
 * copied into the next year keeps its vocabulary.
 */
import vocabularyFile from '../../seed/2018/vocabulary.json';
import type { Segmenter, Vocabulary } from './routing.core';
import { addUserWords, segment } from './segmenter.service';

const file = vocabularyFile as unknown as Vocabulary & { places: string[] };

export const routingVocabulary: Vocabulary = { departments: file.departments, confusions: file.confusions };

let dictionaryReady = false;

/** jieba with the user dictionary: districts and streets, department names and the vocabulary's phrases. */
export function citySegmenter(departmentNames: readonly string[] = Object.keys(file.departments)): Segmenter {
  if (!dictionaryReady) {
    dictionaryReady = true;
    const short = departmentNames.map((n) => n.replace(/^市(政府)?/, ''));
    addUserWords([...file.places, ...departmentNames, ...short, ...Object.values(file.departments).flat()]);
  }
  return segment;
}
