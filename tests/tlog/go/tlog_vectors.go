// Vectors from an independent implementation, Go's golang.org/x/mod/sumdb/tlog and
// golang.org/x/mod/sumdb/note (Debian: golang-golang-x-mod-dev), for the C++ cross-check in
// tests/tlog/go_crosscheck_test.cc. Builds offline in GOPATH mode:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE=$(mktemp -d) go run tlog_vectors.go vectors
//
// "vectors" prints JSON: the stored hashes of the first 64 entries by stored-hash index, tree
// hashes, record (inclusion) proofs and tree (consistency) proofs over the entries
// "homeport tlog test entry <i>", and a note signed with a fixed Ed25519 seed.
// "verify <verifier key>" opens the signed note on standard input with Go's note.Open and prints
// JSON: the text, the names of verified and unverified signatures, and, when the text is a
// go.sum tree note, the tree Go's tlog.ParseTree reads from it.
package main

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const entryPrefix = "homeport tlog test entry "

// Every index and every pair of sizes up to smallMax; a sample of them for the larger sizes.
const smallMax = 40

var largeSizes = []int64{100, 127, 128, 129, 1000, 1024, 1025, 3000}

// How many entries' stored hashes are printed as they are laid out.
const storedEntries = 64

const noteKeyName = "homeport.example/go-crosscheck"

// memoryHashes is a tlog.HashReader over a slice indexed by stored-hash index.
type memoryHashes []tlog.Hash

func (m memoryHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(m)) {
			return nil, fmt.Errorf("no stored hash %d", x)
		}
		out[i] = m[x]
	}
	return out, nil
}

type treeVector struct {
	Size int64  `json:"size"`
	Root string `json:"root"`
}

type inclusionVector struct {
	Index int64    `json:"index"`
	Size  int64    `json:"size"`
	Proof []string `json:"proof"`
}

type consistencyVector struct {
	From  int64    `json:"from"`
	To    int64    `json:"to"`
	Proof []string `json:"proof"`
}

type noteVector struct {
	SeedHex     string `json:"seed_hex"`
	KeyName     string `json:"key_name"`
	VerifierKey string `json:"verifier_key"`
	Signed      string `json:"signed"`
	TreeSize    int64  `json:"tree_size"`
}

type vectors struct {
	EntryPrefix string              `json:"entry_prefix"`
	Stored      []string            `json:"stored"`
	Trees       []treeVector        `json:"trees"`
	Inclusion   []inclusionVector   `json:"inclusion"`
	Consistency []consistencyVector `json:"consistency"`
	Note        noteVector          `json:"note"`
}

func b64(hashes []tlog.Hash) []string {
	out := make([]string, 0, len(hashes))
	for _, h := range hashes {
		out = append(out, h.String())
	}
	return out
}

func buildTree(size int64) memoryHashes {
	var m memoryHashes
	for i := int64(0); i < size; i++ {
		add, err := tlog.StoredHashes(i, []byte(fmt.Sprintf("%s%d", entryPrefix, i)), m)
		check(err)
		m = append(m, add...)
	}
	return m
}

// sample is the indexes or sizes worth proving for a large tree: both ends, the middle, and
// around the powers of two below n.
func sample(lo, n int64) []int64 {
	seen := map[int64]bool{}
	var out []int64
	add := func(v int64) {
		if v >= lo && v < n && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	add(lo)
	add(lo + 1)
	add(n / 2)
	add(n - 2)
	add(n - 1)
	for p := int64(1); p < n; p *= 2 {
		add(p - 1)
		add(p)
		add(p + 1)
	}
	return out
}

func addProofs(v *vectors, m memoryHashes, size int64, indexes, froms []int64) {
	root, err := tlog.TreeHash(size, m)
	check(err)
	v.Trees = append(v.Trees, treeVector{size, root.String()})
	for _, i := range indexes {
		p, err := tlog.ProveRecord(size, i, m)
		check(err)
		v.Inclusion = append(v.Inclusion, inclusionVector{i, size, b64(p)})
	}
	for _, from := range froms {
		p, err := tlog.ProveTree(size, from, m)
		check(err)
		v.Consistency = append(v.Consistency, consistencyVector{from, size, b64(p)})
	}
}

func span(lo, hi int64) []int64 {
	var out []int64
	for i := lo; i < hi; i++ {
		out = append(out, i)
	}
	return out
}

func printVectors() {
	v := vectors{EntryPrefix: entryPrefix}
	var maxSize int64 = smallMax
	for _, n := range largeSizes {
		if n > maxSize {
			maxSize = n
		}
	}
	m := buildTree(maxSize)
	// The stored-hash layout itself, for the first storedEntries entries.
	v.Stored = b64(m[:tlog.StoredHashCount(storedEntries)])
	for size := int64(1); size <= smallMax; size++ {
		// Go's ProveTree needs from >= 1 (RFC 9162 defines no proof from the empty tree).
		addProofs(&v, m, size, span(0, size), span(1, size+1))
	}
	for _, size := range largeSizes {
		addProofs(&v, m, size, sample(0, size), append(sample(1, size), size))
	}
	v.Note = signedNote(m)
	out, err := json.MarshalIndent(v, "", " ")
	check(err)
	os.Stdout.Write(append(out, '\n'))
}

// signedNote signs the go.sum tree note of a 17-entry tree with the key whose seed is the bytes
// 0, 1, ..., 31.
func signedNote(m memoryHashes) noteVector {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = byte(i)
	}
	pub := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(noteKeyName, pub)
	check(err)
	keyID := strings.Split(vkey, "+")[1]
	skey := "PRIVATE+KEY+" + noteKeyName + "+" + keyID + "+" +
		base64.StdEncoding.EncodeToString(append([]byte{1}, seed...))
	signer, err := note.NewSigner(skey)
	check(err)
	const size = 17
	root, err := tlog.TreeHash(size, m)
	check(err)
	signed, err := note.Sign(&note.Note{Text: string(tlog.FormatTree(tlog.Tree{N: size, Hash: root}))}, signer)
	check(err)
	return noteVector{fmt.Sprintf("%x", seed), noteKeyName, vkey, string(signed), size}
}

type opened struct {
	Text       string   `json:"text"`
	Verified   []string `json:"verified"`
	Unverified []string `json:"unverified"`
	TreeSize   int64    `json:"tree_size"`
	TreeRoot   string   `json:"tree_root"`
}

func verify(vkey string) {
	verifier, err := note.NewVerifier(vkey)
	check(err)
	msg, err := io.ReadAll(os.Stdin)
	check(err)
	n, err := note.Open(msg, note.VerifierList(verifier))
	check(err)
	out := opened{Text: n.Text, Verified: []string{}, Unverified: []string{}, TreeSize: -1}
	for _, s := range n.Sigs {
		out.Verified = append(out.Verified, s.Name)
	}
	for _, s := range n.UnverifiedSigs {
		out.Unverified = append(out.Unverified, s.Name)
	}
	if tree, err := tlog.ParseTree([]byte(n.Text)); err == nil {
		out.TreeSize = tree.N
		out.TreeRoot = tree.Hash.String()
	}
	data, err := json.Marshal(out)
	check(err)
	os.Stdout.Write(append(data, '\n'))
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "tlog_vectors:", err)
		os.Exit(1)
	}
}

func main() {
	switch {
	case len(os.Args) == 2 && os.Args[1] == "vectors":
		printVectors()
	case len(os.Args) == 3 && os.Args[1] == "verify":
		verify(os.Args[2])
	default:
		fmt.Fprintln(os.Stderr, "usage: tlog_vectors vectors | tlog_vectors verify <verifier key> < note")
		os.Exit(2)
	}
}
