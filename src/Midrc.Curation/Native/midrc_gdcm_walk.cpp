// The contract (record layout, status codes, VR rules) is documented in midrc_gdcm_walk.h.
#include "midrc_gdcm_walk.h"

#include <gdcmDataSet.h>
#include <gdcmDict.h>
#include <gdcmDicts.h>
#include <gdcmFile.h>
#include <gdcmGlobal.h>
#include <gdcmItem.h>
#include <gdcmPrivateTag.h>
#include <gdcmReader.h>
#include <gdcmSequenceOfItems.h>
#include <gdcmTrace.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <istream>
#include <new>
#include <set>
#include <streambuf>
#include <string>
#include <vector>

namespace {

const uint32_t UndefinedLength = 0xFFFFFFFF;
const gdcm::Tag PixelData(0x7FE0, 0x0010);
const gdcm::Tag SpecificCharacterSet(0x0008, 0x0005);

// Writes into the caller's buffer while it lasts, then only counts, so one pass tells the caller how much to give.
class RecordStream {
public:
  RecordStream(uint8_t *buffer, uint64_t capacity) : buffer_(buffer), capacity_(capacity) {}

  void Put(const void *bytes, uint64_t count) {
    if (size_ + count <= capacity_) {
      std::memcpy(buffer_ + size_, bytes, count);
    }
    size_ += count;
  }

  void PutByte(uint8_t value) { Put(&value, 1); }

  void PutU32(uint32_t value) {
    const uint8_t little[4] = {uint8_t(value), uint8_t(value >> 8), uint8_t(value >> 16), uint8_t(value >> 24)};
    Put(little, 4);
  }

  uint64_t Size() const { return size_; }
  bool Overflowed() const { return size_ > capacity_; }

private:
  uint8_t *buffer_;
  uint64_t capacity_;
  uint64_t size_ = 0;
};

// A read-only, buffered stream over a file descriptor that knows its own position. GDCM asks its stream for the position
// once per element or more; a std::ifstream answers each time with an lseek system call, which cost more than the
// parse. (A memory map was tried: unmapping flushes the TLB, which on this kind of virtual machine costs even more.)
class FileStreamBuffer : public std::streambuf {
public:
  explicit FileStreamBuffer(int fd) : fd_(fd), buffer_(ChunkBytes) { setg(buffer_.data(), buffer_.data(), buffer_.data()); }

protected:
  int_type underflow() override {
    if (gptr() < egptr()) {
      return traits_type::to_int_type(*gptr());
    }
    const off_t next = start_ + (egptr() - eback());
    const ssize_t got = pread(fd_, buffer_.data(), buffer_.size(), next);
    start_ = next;
    setg(buffer_.data(), buffer_.data(), buffer_.data() + (got > 0 ? got : 0));
    return got > 0 ? traits_type::to_int_type(*gptr()) : traits_type::eof();
  }

  pos_type seekoff(off_type offset, std::ios_base::seekdir from, std::ios_base::openmode which) override {
    off_type base = start_ + (gptr() - eback());
    if (from == std::ios_base::beg) {
      base = 0;
    } else if (from == std::ios_base::end) {
      struct stat info;
      if (fstat(fd_, &info) != 0) {
        return pos_type(off_type(-1));
      }
      base = info.st_size;
    }
    return seekpos(pos_type(base + offset), which);
  }

  pos_type seekpos(pos_type position, std::ios_base::openmode which) override {
    const off_type at = off_type(position);
    if ((which & std::ios_base::in) == 0 || at < 0) {
      return pos_type(off_type(-1));
    }
    if (at >= start_ && at <= start_ + (egptr() - eback())) {
      setg(eback(), eback() + (at - start_), egptr());
    } else {
      // Outside the chunk held: the next read starts there.
      start_ = at;
      setg(buffer_.data(), buffer_.data(), buffer_.data());
    }
    return position;
  }

private:
  static const size_t ChunkBytes = 16 * 1024;
  int fd_;
  std::vector<char> buffer_;
  off_t start_ = 0;
};

const char *Name(gdcm::VR::VRType type) {
  switch (type) {
  case gdcm::VR::INVALID:
    return "UN";
  case gdcm::VR::US_SS:
    return "xs";
  case gdcm::VR::US_SS_OW:
  case gdcm::VR::US_OW:
    return "US";
  case gdcm::VR::OB_OW:
    return "OW";
  default: {
    // Anything without a two-letter name in PS3.6 is reported as unknown rather than as GDCM's own spelling.
    const char *name = gdcm::VR::GetVRString(type);
    return name != nullptr && std::strlen(name) == 2 ? name : "UN";
  }
  }
}

// OB, OD, OF, OL, OV, OW, SQ and UN values are never decoded from a header, so they are not copied.
bool CarriesValueBytes(const char *vr) {
  return vr[0] != 'O' && std::strcmp(vr, "SQ") != 0 && std::strcmp(vr, "UN") != 0;
}

std::string TrimmedCreator(const gdcm::DataSet &owner, const gdcm::Tag &tag) {
  std::string creator = owner.GetPrivateCreator(tag);
  // The creator is a C string to GDCM's private dictionary: anything after a zero byte never reaches the lookup.
  creator.resize(std::strlen(creator.c_str()));
  const char *space = " \t\n\v\f\r";
  const size_t first = creator.find_first_not_of(space);
  if (first == std::string::npos) {
    return std::string();
  }
  return creator.substr(first, creator.find_last_not_of(space) - first + 1);
}

// The VR as the reader reports it; see the header for the rules.
gdcm::VR::VRType Resolve(const gdcm::DataSet &owner, const gdcm::DataElement &element) {
  const gdcm::Tag &tag = element.GetTag();
  const gdcm::VR::VRType fromFile = element.GetVR();
  const bool lookUp = fromFile == gdcm::VR::INVALID || fromFile == gdcm::VR::UN;
  const gdcm::Dicts &dicts = gdcm::Global::GetInstance().GetDicts();
  if (tag.IsPrivate()) {
    if (!lookUp) {
      return fromFile;
    }
    if (tag.GetElement() < 0x1000) {
      return tag.GetElement() == 0 ? gdcm::VR::UL : tag.GetElement() >= 0x0010 ? gdcm::VR::LO : gdcm::VR::UN;
    }
    const std::string creator = TrimmedCreator(owner, tag);
    const gdcm::PrivateTag key(tag.GetGroup(), uint16_t(tag.GetElement() & 0x00FF), creator.c_str());
    const gdcm::VR::VRType fromDictionary = dicts.GetDictEntry(key).GetVR();
    // A private dictionary's "US or SS" is not tied to Pixel Representation: it reads as US.
    return fromDictionary == gdcm::VR::US_SS ? gdcm::VR::US : fromDictionary;
  }
  if (!lookUp && fromFile != gdcm::VR::VR_END) {
    return fromFile;
  }
  return dicts.GetDictEntry(tag).GetVR();
}

void WriteDataSet(const gdcm::DataSet &dataset, RecordStream &out);

void WriteElement(const gdcm::DataSet &owner, const gdcm::DataElement &element, RecordStream &out) {
  const gdcm::VR::VRType type = Resolve(owner, element);
  const char *vr = Name(type);
  const uint32_t declared = element.GetVL();
  const gdcm::ByteValue *bytes = element.GetByteValue();
  gdcm::SmartPointer<gdcm::SequenceOfItems> sequence;
  if (type == gdcm::VR::SQ || (bytes == nullptr && !element.IsEmpty())) {
    sequence = element.GetValueAsSQ();
  }
  uint32_t count = 0;
  if (sequence == nullptr && bytes != nullptr && declared != UndefinedLength && CarriesValueBytes(vr)) {
    const uint32_t held = bytes->GetPointer() != nullptr ? uint32_t(bytes->GetLength()) : 0;
    count = declared < held ? declared : held;
  }
  out.PutByte(sequence != nullptr ? 'S' : 'E');
  out.PutU32(uint32_t(element.GetTag().GetElementTag()));
  out.Put(vr, 2);
  out.PutU32(declared);
  out.PutU32(count);
  if (count != 0) {
    out.Put(bytes->GetPointer(), count);
  }
  if (sequence == nullptr) {
    return;
  }
  const gdcm::SequenceOfItems::SizeType items = sequence->GetNumberOfItems();
  for (gdcm::SequenceOfItems::SizeType i = 1; i <= items; ++i) {
    WriteDataSet(sequence->GetItem(i).GetNestedDataSet(), out);
  }
  out.PutByte('s');
}

void WriteDataSet(const gdcm::DataSet &dataset, RecordStream &out) {
  out.PutByte('D');
  const bool hasCharset = dataset.FindDataElement(SpecificCharacterSet);
  out.PutByte(hasCharset ? 1 : 0);
  if (hasCharset) {
    WriteElement(dataset, dataset.GetDataElement(SpecificCharacterSet), out);
  }
  for (gdcm::DataSet::ConstIterator it = dataset.Begin(); it != dataset.End(); ++it) {
    WriteElement(dataset, *it, out);
  }
  out.PutByte('d');
}

void QuietWarnings() {
  // GDCM's warnings (odd VRs, duplicate elements) would go to the host's stderr; the reader reports problems itself.
  static const bool quiet = (gdcm::Trace::WarningOff(), true);
  (void)quiet;
}

} // namespace

extern "C" {

int32_t midrc_gdcm_walk_abi_version(void) { return MIDRC_WALK_ABI_VERSION; }

int32_t midrc_gdcm_walk(intptr_t fd, uint8_t *buffer, uint64_t capacity, uint64_t *written) {
  if (fd < 0 || fd > INT32_MAX || written == nullptr || (buffer == nullptr && capacity != 0)) {
    return MIDRC_WALK_BAD_ARGUMENT;
  }
  *written = 0;
  try {
    QuietWarnings();
    FileStreamBuffer buffered{static_cast<int>(fd)};
    std::istream input(&buffered);
    gdcm::Reader reader;
    reader.SetStream(input);
    std::set<gdcm::Tag> skip;
    skip.insert(PixelData);
    if (!reader.ReadUpToTag(PixelData, skip)) {
      return MIDRC_WALK_UNREADABLE;
    }
    const gdcm::File &read = reader.GetFile();
    RecordStream out(buffer, capacity);
    WriteDataSet(read.GetHeader(), out);
    WriteDataSet(read.GetDataSet(), out);
    *written = out.Size();
    return out.Overflowed() ? MIDRC_WALK_BUFFER_TOO_SMALL : MIDRC_WALK_OK;
  } catch (const std::bad_alloc &) {
    return MIDRC_WALK_OUT_OF_MEMORY;
  } catch (...) {
    return MIDRC_WALK_FAILED;
  }
}

int32_t midrc_gdcm_keyword(uint32_t tag, char *buffer, int32_t capacity) {
  if (buffer == nullptr && capacity != 0) {
    return -1;
  }
  try {
    const gdcm::Tag key(uint16_t(tag >> 16), uint16_t(tag));
    const char *keyword = gdcm::Global::GetInstance().GetDicts().GetDictEntry(key).GetKeyword();
    const size_t length = keyword != nullptr ? std::strlen(keyword) : 0;
    if (length <= size_t(capacity)) {
      std::memcpy(buffer, keyword, length);
    }
    return int32_t(length);
  } catch (...) {
    return -1;
  }
}

} // extern "C"
