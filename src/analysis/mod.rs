//! Swedish analysis: [`lexicon`] knows word forms (lemmas and compound parts, from
//! hunspell `sv_SE`); [`tokenize`] holds the tokenizers and filters the index uses;
//! [`synonyms`] knows abbreviations and their long forms; [`themes`] tags agenda items
//! with the themes of an editable file (the topic facet).

pub mod lexicon;
pub mod synonyms;
pub mod themes;
pub mod tokenize;
