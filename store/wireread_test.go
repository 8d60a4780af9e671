package store

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// sameAsUnmarshal checks readCase against json.Unmarshal on data: when
// readCase takes a record, json.Unmarshal takes it too and reads the same.
// It reports whether readCase took it.
func sameAsUnmarshal(t testing.TB, data []byte) bool {
	t.Helper()
	var got wireCase
	if !readCase(data, &got) {
		return false
	}
	var want wireCase
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatalf("readCase took %q, json.Unmarshal refuses it: %v", data, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("readCase differs from json.Unmarshal on %q:\n got %+v\nwant %+v", data, got, want)
	}
	return true
}

func TestReadCaseMatchesUnmarshal(t *testing.T) {
	full := fullCase(t)
	full.Closed = time.Time{}
	fullData, err := encodeCase(full)
	if err != nil {
		t.Fatal(err)
	}
	odd := fullCase(t)
	odd.Ref, odd.Summary, odd.Lead = `<&>"\`+"\u2028\x00\x1f\x7f é 😀", "line\nbreak\ttab", "slack:U1"
	odd.Involved = []string{}
	oddData, err := encodeCase(odd)
	if err != nil {
		t.Fatal(err)
	}
	taken := []string{
		string(fullData),
		string(oddData),
		`{}`,
		`{"v":1,"id":1,"r":"INC-1","l":"console:sam","o":1768212000}`,
		`{"v":-0,"i":[],"f":{},"pp":{"a":-1},"p":{}}`,
		`{"r":"\ud83d\ude00 \ud83d x \udc00\u0041 \/ \u00e9\u00E9"}`,
		`{"v":9223372036854775807,"aw":-9223372036854775808,"ct":9223372036854775807}`,
	}
	for _, data := range taken {
		if !sameAsUnmarshal(t, []byte(data)) {
			t.Errorf("readCase left %s to json.Unmarshal", data)
		}
	}
	// Left to json.Unmarshal (which reads or refuses each as it does).
	for _, data := range []string{
		``, `null`, `[]`, ` {}`, `{} `, `{"v":1,}`, `{"V":1}`, `{"x":1}`, `{"v":1,"v":2}`, `{"v":1.0}`, `{"v":1e3}`,
		`{"v":01}`, `{"v":-}`, `{"v":9223372036854775808}`, `{"r":null}`, `{"p":null}`, `{"i":null}`, `{"f":{"a":1,"a":2}}`,
		`{"r":"a` + "\x01" + `"}`, `{"r":"\x"}`, `{"r":"\u12"}`, "{\"r\":\"\xff\"}", `{"da":tru}`, `{"r":"a"`, `{"p":{"e":"1w","e":"2w"}}`,
		`{"p":{"x":1}}`,
	} {
		if sameAsUnmarshal(t, []byte(data)) {
			t.Errorf("readCase took %s", data)
		}
	}
}

// FuzzReadCase: whatever readCase takes, it reads as json.Unmarshal does.
func FuzzReadCase(f *testing.F) {
	full, err := encodeCase(fullCase(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(full)
	f.Add([]byte(`{"v":1,"id":1,"r":"INC-1","l":"console:sam","o":1768212000}`))
	f.Add([]byte(`{"r":"\ud83d\ude00\ud83d\u0041\"\\\/\b\f\n\r\t","i":["a","\u00e9"],"f":{"\u003c":1},"p":{"e":"1w","a":-5}}`))
	f.Add([]byte(`{"v":1.5,"da":true,"es":false}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		sameAsUnmarshal(t, data)
	})
}
