package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// BucketOptions say where an S3-compatible bucket is and how to reach it.
type BucketOptions struct {
	// Endpoint is the server's host, or host:port, without a scheme
	// ("s3.eu-west-3.amazonaws.com", "minio.internal:9000").
	Endpoint string
	Bucket   string
	// Region is the bucket's; empty lets the client find it out.
	Region string
	// AccessKeyID and SecretAccessKey sign the requests; both empty send
	// them unsigned (a public bucket can be read, rarely written, so).
	AccessKeyID, SecretAccessKey string
	// TLS is https, else http.
	TLS bool
	// PathStyle addresses the bucket as endpoint/bucket/key rather than
	// bucket.endpoint/key: what most self-hosted servers (MinIO, Ceph,
	// Garage) need, since their buckets have no DNS names.
	PathStyle bool
	// Transport replaces the HTTP transport (tests); nil is the client's.
	Transport http.RoundTripper
}

// objectCacheControl is stored with every object, so that a bucket or a
// CDN serving them directly caches them as Masthead does: their keys are
// content hashes, so they never change.
const objectCacheControl = "public, max-age=31536000, immutable"

// retries is how many times the client tries a request that failed on the
// network or with a 5xx: a few, so that a bucket out of reach fails a
// request within a couple of seconds, not the client's default of ten
// tries with backoff.
const retries = 3

// Bucket keeps objects in an S3-compatible bucket (Amazon S3, MinIO, Ceph,
// Garage, R2…), under the same keys as Dir.
type Bucket struct {
	client *minio.Client
	bucket string
}

// NewBucket returns the store on o.Bucket. It checks, within ctx, that the
// bucket exists and that the credentials may see it: Masthead does not
// create buckets (where it lives, who may read it and for how long are the
// operator's decisions, and the keys it is given need no right to create
// one), so a missing bucket refuses to start.
func NewBucket(ctx context.Context, o BucketOptions) (*Bucket, error) {
	if o.Endpoint == "" || o.Bucket == "" {
		return nil, errors.New("media: an S3 store needs an endpoint and a bucket")
	}
	var creds *credentials.Credentials
	if o.AccessKeyID != "" || o.SecretAccessKey != "" {
		creds = credentials.NewStaticV4(o.AccessKeyID, o.SecretAccessKey, "")
	} else {
		creds = credentials.NewStatic("", "", "", credentials.SignatureAnonymous)
	}
	lookup := minio.BucketLookupAuto
	if o.PathStyle {
		lookup = minio.BucketLookupPath
	}
	client, err := minio.New(o.Endpoint, &minio.Options{
		Creds: creds, Secure: o.TLS, Region: o.Region, BucketLookup: lookup,
		Transport: o.Transport, MaxRetries: retries,
	})
	if err != nil {
		return nil, fmt.Errorf("media: S3 endpoint %q: %w", o.Endpoint, err)
	}
	ok, err := client.BucketExists(ctx, o.Bucket)
	switch {
	case err != nil:
		return nil, fmt.Errorf("media: cannot check bucket %q at %s: %w", o.Bucket, client.EndpointURL().Redacted(), err)
	case !ok:
		return nil, fmt.Errorf("media: bucket %q does not exist at %s: create it first (Masthead does not create buckets)",
			o.Bucket, client.EndpointURL().Redacted())
	}
	return &Bucket{client: client, bucket: o.Bucket}, nil
}

// bucketError tells a missing key (fs.ErrNotExist) from a store that
// failed (ErrStorage).
func (b *Bucket) bucketError(op, key string, err error) error {
	if code := minio.ToErrorResponse(err).Code; code == minio.NoSuchKey {
		return fmt.Errorf("media: %s %s: %w", op, key, fs.ErrNotExist)
	}
	return fmt.Errorf("media: %s %s in bucket %s: %w: %w", op, key, b.bucket, err, ErrStorage)
}

// Put uploads data in one request (objects are a few MB at most), with
// its type and an immutable Cache-Control.
func (b *Bucket) Put(ctx context.Context, key string, data []byte, contentType string) error {
	_, err := b.client.PutObject(ctx, b.bucket, key, bytes.NewReader(data), int64(len(data)), minio.PutObjectOptions{
		ContentType: contentType, CacheControl: objectCacheControl, DisableMultipart: true,
	})
	if err != nil {
		return b.bucketError("put", key, err)
	}
	return nil
}

// Stat asks the bucket for the object's size and time (HEAD).
func (b *Bucket) Stat(ctx context.Context, key string) (Info, error) {
	oi, err := b.client.StatObject(ctx, b.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return Info{}, b.bucketError("stat", key, err)
	}
	return Info{Size: oi.Size, ModTime: oi.LastModified}, nil
}

// Open starts reading the object: the first request is made here, so that
// a missing object is known before anything is answered. Reads stream from
// the bucket; a Seek makes the next read a range request.
func (b *Bucket) Open(ctx context.Context, key string) (*File, error) {
	obj, err := b.client.GetObject(ctx, b.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, b.bucketError("get", key, err)
	}
	oi, err := obj.Stat()
	if err != nil {
		obj.Close()
		return nil, b.bucketError("get", key, err)
	}
	return &File{ReadSeekCloser: obj, Info: Info{Size: oi.Size, ModTime: oi.LastModified}}, nil
}

// Delete removes the object; S3 answers a missing one as deleted.
func (b *Bucket) Delete(ctx context.Context, key string) error {
	if err := b.client.RemoveObject(ctx, b.bucket, key, minio.RemoveObjectOptions{}); err != nil {
		if errors.Is(b.bucketError("delete", key, err), fs.ErrNotExist) {
			return nil
		}
		return b.bucketError("delete", key, err)
	}
	return nil
}
