"""`import clasp` from Python: index synthesised clips, search them, vectors as numpy.
Run by ctest (tests/CMakeLists.txt) with PYTHONPATH at the built module and
CLASP_BIN at the CLI (used only to synthesise the clips)."""
import json
import os
import subprocess
import tempfile
import unittest

import numpy as np

import clasp

HERE = os.path.dirname(os.path.abspath(__file__))


class ClaspModuleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="clasp-py-")
        manifest = os.path.join(cls.tmp.name, "m.jsonl")
        with open(os.path.join(HERE, "..", "e2e", "sentences.jsonl")) as src, open(manifest, "w") as out:
            out.write(src.read())
        subprocess.run([os.environ["CLASP_BIN"], "data", "synth", "-i", manifest, "-o",
                        os.path.join(cls.tmp.name, "corpus"), "--engines", "espeak", "--holdout-voices", "", "-j", "1"],
                       check=True, capture_output=True)
        clasp.set_threads(1)
        cls.model = clasp.Model()  # the shipped default

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_index_add_and_search(self):
        ix = clasp.Index(os.path.join(self.tmp.name, "index"), self.model)
        added = ix.add([os.path.join(self.tmp.name, "corpus", "audio")])
        self.assertEqual(added.failed, 0)
        self.assertEqual(added.added, 6)
        self.assertEqual(ix.info.files, 6)
        hits = ix.search("The jury said the election was conducted fairly.", k=3, query_lang="en")
        self.assertEqual(len(hits), 3)
        self.assertTrue(hits[0].path.endswith("e1.wav"), hits[0])
        self.assertGreater(hits[0].end, hits[0].start)
        self.assertTrue(hits[0].heard)
        self.assertGreaterEqual(hits[0].score, hits[1].score)
        # Query by example: a clip's own audio finds it first.
        samples = clasp.read_audio(hits[1].path)
        self.assertEqual(samples.dtype, np.float32)
        by_audio = ix.search_audio(samples, k=1)
        self.assertEqual(by_audio[0].path, hits[1].path)
        self.assertEqual(ix.add([os.path.join(self.tmp.name, "corpus", "audio")]).unchanged, 6)
        self.assertEqual(ix.remove(hits[0].path), 1)
        self.assertEqual(ix.info.files, 5)

    def test_vectors_are_numpy_and_match_the_index_space(self):
        info = self.model.info
        t = self.model.embed_text("el gobierno anunció un nuevo plan", "es")
        self.assertEqual(t.dtype, np.float32)
        self.assertEqual(t.shape, (info.dim,))
        self.assertAlmostEqual(float(np.linalg.norm(t)), 1.0, places=3)
        a = self.model.embed_audio(np.zeros(16000, dtype=np.float64) + 0.01 * np.sin(np.arange(16000) / 5.0))
        self.assertEqual(a.shape, (info.dim,))
        self.assertIn("en", info.heard_languages)

    def test_errors_are_python_exceptions_with_clasps_message(self):
        with self.assertRaisesRegex(RuntimeError, "not a CLASP model directory|no clasp.json|no such file"):
            clasp.Model(os.path.join(self.tmp.name, "nowhere"))
        with self.assertRaisesRegex(RuntimeError, "embed_text: the text is empty"):
            self.model.embed_text("")
        with self.assertRaisesRegex(RuntimeError, "1-D array"):
            self.model.embed_audio(np.zeros((2, 2), dtype=np.float32))
        ix = clasp.Index(os.path.join(self.tmp.name, "index2"), self.model)
        with self.assertRaisesRegex(RuntimeError, "k must be 1 to 10000"):
            ix.search("hello", k=0)


if __name__ == "__main__":
    unittest.main()
