package teams

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"hppbot/bot"
)

// Teams takes files from a bot only in a personal chat, through a consent
// card: the person chooses Allow, Teams makes a place in their OneDrive and
// sends its upload address, and hppbot uploads the file there. Between
// offer and answer the file waits in Redis (a day at most), so any replica
// can finish the upload after any restart.

const (
	consentType  = "application/vnd.microsoft.teams.card.file.consent"
	fileInfoType = "application/vnd.microsoft.teams.card.file.info"
)

// consentContext travels with the consent card and comes back with the
// answer.
type consentContext struct {
	File string `json:"file"` // the pending file's id
	Name string `json:"name"`
}

func consentActivity(f bot.File, name, pendingID string) schema.Activity {
	desc := f.Title
	if desc == "" {
		desc = name
	}
	cc := consentContext{File: pendingID, Name: name}
	return schema.Activity{Type: schema.Message, Attachments: []schema.Attachment{{
		ContentType: consentType, Name: name,
		Content: map[string]any{"description": desc, "sizeInBytes": len(f.Data), "acceptContext": cc, "declineContext": cc},
	}}}
}

// consentAnswer is a fileConsent/invoke's value.
type consentAnswer struct {
	Action     string         `json:"action"`
	Context    consentContext `json:"context"`
	UploadInfo struct {
		Name       string `json:"name"`
		UploadURL  string `json:"uploadUrl"`
		ContentURL string `json:"contentUrl"`
		UniqueID   string `json:"uniqueId"`
		FileType   string `json:"fileType"`
	} `json:"uploadInfo"`
}

func (s *Surface) onFileConsent(ctx context.Context, act schema.Activity) {
	data, err := json.Marshal(act.Value)
	if err != nil {
		return
	}
	var ans consentAnswer
	if err := json.Unmarshal(data, &ans); err != nil || ans.Context.File == "" {
		return
	}
	ref := replyRef(act)
	ref.ActivityID = ""
	say := func(text string) {
		if err := s.send(ctx, ref, s.render(ctx, bot.Reply{Text: text}, renderOpts{})); err != nil {
			s.log.Warn("Teams: file answer not delivered", "err", err)
		}
	}
	name := safeFileName(ans.Context.Name)
	file, ok, err := s.cfg.Store.TakePendingFile(ctx, ans.Context.File)
	if err != nil {
		say("I couldn't reach my store just now, so " + name + " wasn't sent. Please ask for it again in a minute.")
		return
	}
	if ans.Action != "accept" {
		say("All right — I haven't saved " + name + ". You can ask for it again whenever you need it.")
		return
	}
	if !ok {
		say("That file offer has expired. Please ask for " + name + " again and choose Allow.")
		return
	}
	if err := s.upload(ctx, ans.UploadInfo.UploadURL, file); err != nil {
		s.log.Warn("Teams: file upload failed", "err", err)
		say("I couldn't save " + name + " to your OneDrive just now. Please ask for it again in a minute.")
		return
	}
	info := schema.Activity{Type: schema.Message, Attachments: []schema.Attachment{{
		ContentType: fileInfoType, ContentURL: ans.UploadInfo.ContentURL, Name: ans.UploadInfo.Name,
		Content: map[string]any{"uniqueId": ans.UploadInfo.UniqueID, "fileType": ans.UploadInfo.FileType},
	}}}
	if err := s.send(ctx, ref, []schema.Activity{info}); err != nil {
		s.log.Warn("Teams: file card not delivered", "err", err)
	}
}

// upload puts a file at the address Teams gave (a OneDrive upload session:
// no bearer token, the address is the permission).
func (s *Surface) upload(ctx context.Context, target string, data []byte) error {
	u, err := url.Parse(target)
	if err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname()))) {
		return fmt.Errorf("teams: not an upload address hppbot will use")
	}
	if len(data) == 0 {
		return fmt.Errorf("teams: an empty file can't be uploaded")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u.String(), bytes.NewReader(data))
	if err != nil {
		return err
	}
	req.ContentLength = int64(len(data))
	req.Header.Set("Content-Range", "bytes 0-"+strconv.Itoa(len(data)-1)+"/"+strconv.Itoa(len(data)))
	resp, err := s.conn.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponse))
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("teams: upload answered %d", resp.StatusCode)
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
